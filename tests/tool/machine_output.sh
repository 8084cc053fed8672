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

# report --json on saved dumps parses too.
"$HC" report --json "$DATA/valid.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["processes"][0]["errors"]))' \
    >"$scratch/py" 2>&1
expect_grep '^[1-9][0-9]*$' "$scratch/py" "report --json | python3: the errors of valid.json"

# --json=FILE and --sarif=FILE: the text report as usual, the documents in the files.
"$HC" --json="$scratch/o.json" --sarif="$scratch/o.sarif" -- ./tests/detect/overflow 13 1 \
    >"$scratch/out" 2>&1
expect_status 23 $? "an overflow with --json=FILE --sarif=FILE"
expect_grep 'heapcheck: heap-buffer-overflow on address' "$scratch/out" "the text report is still printed"
free_line=$(grep -n '^    free(p);' "$srcdir/tests/detect/overflow.c" | cut -d: -f1)
leak_line=$(grep -n 'MARK:leak_malloc' "$srcdir/tests/tool/sample_prog.c" | cut -d: -f1)
"$HC" --sarif="$scratch/leak.sarif" -- "$SAMPLE" leak >/dev/null 2>&1

# The required fields and the locations, checked with python3's json alone.
python3 - "$scratch/o.json" "$scratch/o.sarif" "$scratch/leak.sarif" "$free_line" "$leak_line" \
    <<'PY' >"$scratch/py" 2>&1
import json, sys
j = json.load(open(sys.argv[1]))
assert j["processes"][0]["errors"][0]["kind"] == "heap-buffer-overflow"
for path, rule, line, src in ((sys.argv[2], "heap-buffer-overflow", int(sys.argv[4]), "overflow.c"),
                              (sys.argv[3], "leak-definitely", int(sys.argv[5]), "sample_prog.c")):
    s = json.load(open(path))
    assert s["version"] == "2.1.0"
    run = s["runs"][0]
    assert run["tool"]["driver"]["name"] == "heapcheck"
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    res = [r for r in run["results"] if r["ruleId"] == rule]
    assert res, (rule, run["results"])
    r = res[0]
    assert rules[r["ruleIndex"]] == rule and r["level"] == "error" and r["message"]["text"]
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("file:///"), loc
    assert loc["artifactLocation"]["uri"].endswith("/" + src), loc
    assert loc["region"]["startLine"] == line, (loc, line)
    assert r["stacks"][0]["frames"], r
    print("ok", rule, src, line)
PY
expect_grep "^ok heap-buffer-overflow overflow.c $free_line\$" "$scratch/py" \
    "SARIF: the overflow is at the free() that found it (overflow.c:$free_line)"
expect_grep "^ok leak-definitely sample_prog.c $leak_line\$" "$scratch/py" \
    "SARIF: the leak is at its malloc (sample_prog.c:$leak_line)"

# The schema, with a real validator.
for f in o.sarif leak.sarif; do
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
    sed 's/"version": "2.1.0"/"version": "2.0.9"/' "$scratch/o.sarif" >"$scratch/bad.sarif"
    python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
        "$SCHEMA" "$scratch/bad.sarif" >/dev/null 2>&1
    st=$?
    if [ $st -ne 0 ]; then pass "a wrong version is refused by the validator"; else fail "the validator accepted version 2.0.9"; fi
fi

finish
