#!/bin/sh
# Machine-readable output (docs/report-format.md): --json on standard output parses and
# replaces the text; --json=FILE and --sarif=FILE are written beside the text report;
# the SARIF validates against the SARIF 2.1.0 schema (tests/tool/sarif/, with Debian's
# python3-jsonschema) and puts each finding at the first frame with source.  Skipped
# (77) without python3.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed (./bootstrap installs it): nothing to parse JSON with"
    exit 77
fi
SCHEMA="$srcdir/tests/tool/sarif/sarif-schema-2.1.0.json"

# --json: the document alone on stdout, nothing of it on stderr.
"$HC" --json -- "$SAMPLE" leak >"$scratch/out.json" 2>"$scratch/err"
expect_status 23 $? "--json: the leak still counts"
python3 - "$scratch/out.json" <<'PY' >"$scratch/py" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "heapcheck-report" and d["version"] == 1, d
p = d["processes"][0]
assert p["exe"].endswith("sample_prog"), p["exe"]
assert any(l["kind"] == "definitely" for l in p["leaks"]), p["leaks"]
assert d["fails"] is True
print("parsed")
PY
expect_grep '^parsed$' "$scratch/py" "--json: stdout is one JSON document with the leak"
expect_no_grep 'heapcheck report for\|{"format"' "$scratch/err" "--json: no text report, no JSON on stderr"

# The loss records of the kinds shown, as in the text: a still reachable block is
# counted in the summary, listed with --show-leak-kinds=all.
for flags in "" --show-leak-kinds=all; do
    # shellcheck disable=SC2086
    "$HC" $flags --json -- ./tests/leak/leak_cases global 2>/dev/null |
        python3 -c 'import json,sys; p=json.load(sys.stdin)["processes"][0]; print("records", [l["kind"] for l in p["leaks"]], p["summary"]["reachable"]["bytes"])'
done >"$scratch/py" 2>&1
expect_grep "^records \[\] 100\$" "$scratch/py" "--json: no record of a kind not shown, the summary counts it"
expect_grep "^records \['reachable'\] 100\$" "$scratch/py" "--json --show-leak-kinds=all: the reachable record"

# report --json on saved dumps parses too.
"$HC" report --json "$DATA/valid.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["processes"][0]["errors"]))' \
    >"$scratch/py" 2>&1
expect_grep '^[1-9][0-9]*$' "$scratch/py" "report --json | python3: the errors of valid.json"

# --json=FILE and --sarif=FILE: the text report as usual, the documents in the files.
# %SRCROOT% is the source tree (in a VPATH build, as distcheck's, not the working
# directory, where no source lies).
srcroot=$(cd "$srcdir" && pwd)
"$HC" --sarif-root="$srcroot" --json="$scratch/o.json" --sarif="$scratch/o.sarif" -- ./tests/detect/overflow 13 1 \
    >"$scratch/out" 2>&1
expect_status 23 $? "an overflow with --json=FILE --sarif=FILE"
expect_grep 'heapcheck: heap-buffer-overflow on address' "$scratch/out" "the text report is still printed"
free_line=$(grep -n '^    free(p);' "$srcdir/tests/detect/overflow.c" | cut -d: -f1)
leak_line=$(grep -n 'MARK:leak_malloc' "$srcdir/tests/tool/sample_prog.c" | cut -d: -f1)
"$HC" --sarif-root="$srcroot" --sarif="$scratch/leak.sarif" -- "$SAMPLE" leak >/dev/null 2>&1

# The required fields and the locations, checked with python3's json alone: paths
# relative to %SRCROOT% (--sarif-root), the place of each finding, the rule's
# help, the fingerprint, a message that names the bug as the text report does.
python3 - "$scratch/o.json" "$scratch/o.sarif" "$scratch/leak.sarif" "$free_line" "$leak_line" "$srcroot" \
    <<'PY' >"$scratch/py" 2>&1
import json, sys
j = json.load(open(sys.argv[1]))
assert j["processes"][0]["errors"][0]["kind"] == "heap-buffer-overflow"
cwd = sys.argv[6]
for path, rule, line, src, words in (
        (sys.argv[2], "heap-buffer-overflow", int(sys.argv[4]), "tests/detect/overflow.c",
         ["heap-buffer-overflow: the address is 0 bytes after the 13-byte block", "found by free()",
          "Likely cause: an index or length off by one"]),
        (sys.argv[3], "leak-definitely", int(sys.argv[5]), "tests/tool/sample_prog.c",
         ["memory-leak: 16 bytes (and 32 bytes indirectly) in 1 blocks are definitely lost, allocated in leak_list"])):
    s = json.load(open(path))
    assert s["version"] == "2.1.0"
    assert s["$schema"].endswith("/sarif-schema-2.1.0.json"), s["$schema"]
    run = s["runs"][0]
    drv = run["tool"]["driver"]
    assert drv["name"] == "heapcheck" and drv["informationUri"].startswith("file:///"), drv
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file://" + cwd + "/", run["originalUriBaseIds"]
    rules = [r["id"] for r in drv["rules"]]
    for r in drv["rules"]:
        assert len(r["help"]["text"]) > 40 and r["fullDescription"]["text"], r
    res = [r for r in run["results"] if r["ruleId"] == rule]
    assert len(res) == 1, (rule, run["results"])
    r = res[0]
    assert rules[r["ruleIndex"]] == rule and r["level"] == "error", r
    for w in words:
        assert w in r["message"]["text"], (w, r["message"]["text"])
    assert "0x" not in r["message"]["text"], r["message"]["text"]
    assert len(r["partialFingerprints"]["heapcheckStack/v1"]) == 16, r
    assert r["properties"]["processes"] == 1, r["properties"]
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": src, "uriBaseId": "SRCROOT"}, loc
    assert loc["region"]["startLine"] == line, (loc, line)
    assert r["stacks"][0]["frames"], r
    print("ok", rule, src, line)
PY
expect_grep "^ok heap-buffer-overflow tests/detect/overflow.c $free_line\$" "$scratch/py" \
    "SARIF: the overflow is at the free() that found it (overflow.c:$free_line), relative to SRCROOT, named as the text report does"
expect_grep "^ok leak-definitely tests/tool/sample_prog.c $leak_line\$" "$scratch/py" \
    "SARIF: the leak is at its malloc (sample_prog.c:$leak_line)"

# Several processes: one result per finding and place, with the number of processes.
# shellcheck disable=SC2016
"$HC" --sarif-root="$srcroot" --sarif="$scratch/many.sarif" -- sh -c '"$1" leak; "$1" leak; "$1" leak' sh "$SAMPLE" \
    >/dev/null 2>&1
python3 - "$scratch/many.sarif" <<'PY' >"$scratch/py" 2>&1
import json, sys
res = json.load(open(sys.argv[1]))["runs"][0]["results"]
for r in res:
    print(r["ruleId"], r["properties"]["processes"], len(r["properties"]["pids"]), r["properties"].get("bytes"))
PY
expect_grep '^leak-definitely 3 3 48$' "$scratch/py" "three processes' leaks: one result, 3 processes, the bytes summed"
n=$(wc -l <"$scratch/py")
if [ "$n" -eq 2 ]; then pass "two results (definite, indirect) for three processes"; else fail "$n results:"; sed 's/^/  | /' "$scratch/py" >&2; fi

# Allocation wrappers: the place is the caller of gnulib's xmalloc, and of a wrapper
# named with --alloc-fn.
name_line=$(grep -n 'MARK:xmalloc_call' "$srcdir/tests/tool/wrapper_prog.c" | cut -d: -f1)
table_line=$(grep -n 'MARK:my_alloc_call' "$srcdir/tests/tool/wrapper_prog.c" | cut -d: -f1)
"$HC" --sarif-root="$srcroot" --sarif="$scratch/w.sarif" -- ./tests/tool/wrapper_prog >/dev/null 2>&1
"$HC" --sarif-root="$srcroot" --alloc-fn=my_alloc --sarif="$scratch/w2.sarif" -- ./tests/tool/wrapper_prog >/dev/null 2>&1
"$HC" --sarif-root=/proc --sarif="$scratch/w3.sarif" -- ./tests/tool/wrapper_prog >/dev/null 2>&1
python3 - "$scratch/w.sarif" "$scratch/w2.sarif" "$scratch/w3.sarif" <<'PY' >"$scratch/py" 2>&1
import json, sys
for i, f in enumerate(sys.argv[1:]):
    for r in json.load(open(f))["runs"][0]["results"]:
        locs = r["locations"]
        if locs:
            l = locs[0]
            print(i, l["logicalLocations"][0]["name"], l["physicalLocation"]["region"]["startLine"])
        else:
            uri = r["stacks"][0]["frames"][0]["location"]["physicalLocation"]["artifactLocation"]["uri"]
            print(i, "none", uri.startswith("file:///"))
PY
expect_grep "^0 make_name $name_line\$" "$scratch/py" "xmalloc is skipped: the leak is in make_name"
expect_grep "^0 my_alloc " "$scratch/py" "my_alloc, not a known wrapper, is the place by default"
expect_grep "^1 make_table $table_line\$" "$scratch/py" "--alloc-fn=my_alloc: the leak is in make_table"
expect_grep "^2 none True\$" "$scratch/py" "files outside --sarif-root: no location, absolute URIs in the stacks"
expect_no_grep "^2 [a-z_]* [0-9]" "$scratch/py" "--sarif-root elsewhere: no location under it"

# The schema, with a real validator.
for f in o.sarif leak.sarif many.sarif w3.sarif; do
    python3 - "$SCHEMA" "$scratch/$f" <<'PY' >"$scratch/py" 2>&1
import json, sys
try:
    import jsonschema
except ImportError:
    print("no-jsonschema")
    sys.exit(0)
schema = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
    json.load(open(sys.argv[2])))
print("valid")
PY
    if grep -q '^no-jsonschema$' "$scratch/py"; then
        echo "SKIP: python3-jsonschema is not installed (./bootstrap installs it): $f not validated"
        skipped=1
    else
        expect_grep '^valid$' "$scratch/py" "$f validates against the SARIF 2.1.0 schema"
    fi
done
# A document that breaks the schema is refused: the validator is really at work.
if [ -z "${skipped:-}" ]; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["version"]="2.0.9"; json.dump(d,open(sys.argv[2],"w"))' \
        "$scratch/o.sarif" "$scratch/bad.sarif"
    python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
        "$SCHEMA" "$scratch/bad.sarif" >/dev/null 2>&1
    st=$?
    if [ $st -ne 0 ]; then pass "a wrong version is refused by the validator"; else fail "the validator accepted version 2.0.9"; fi
fi

finish
