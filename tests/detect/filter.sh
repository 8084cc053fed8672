#!/bin/sh
# filter.sh < STDERR > FILTERED: blank what differs from run to run and build to
# build in a test program's stderr, so that it can be compared with an expected
# file.  Blank only that: anything else filtered away could hide a wrong report.
#
#  - addresses: 0x7f3a... -> 0x...  (ASLR moves every block and library)
#  - process ids in the forms a report may print them: ==1234== (Valgrind's
#    prefix), heapcheck[1234], "pid 1234", "pid=1234"
#  - a line number in a path of the library's sources, and the directory in front
#    of lib/: "../heapcheck-0.1.0/lib/core.c:212" -> "lib/core.c:N".  Editing
#    lib/ must not break every expectation, and a VPATH build (make distcheck)
#    compiles the sources under another name.
#  - the directories of a module in a stack frame, and the -linked of a test
#    program's linked build: "(/build/tests/detect/.libs/overflow-linked+0x...)"
#    -> "(overflow+0x...)", so the preloaded and the linked run print the same
#  - the directories in front of a test program's source (the build directory, or
#    a VPATH build's): "/build/tests/detect/overflow.c:17" -> "tests/detect/overflow.c:17"
#    (the line is kept: a report must name it)
#  - stack frames in the system's libraries (/lib, /usr/lib): whether glibc's frames
#    have names and lines depends on its debug package being installed
#  - a run of frames in heapcheck's own library becomes one line "#N ... heapcheck's
#    own frames", and the frames after it in that stack are numbered #N: where a
#    signal lands inside the allocator (and what the compiler inlined) varies
# A bare number is never blanked as a pid: it may be a size the report must get
# right.  When reports learn to print a pid in a new form, add that form here.
set -eu

sed -E \
    -e '/^==[0-9]+==     #[0-9]+ .*\((\/usr)?\/lib\/[^()]*\+0x[0-9a-f]+\)$/d' \
    -e 's/0x[0-9a-fA-F]+/0x.../g' \
    -e 's/==[0-9]+==/==PID==/g' \
    -e 's/heapcheck\[[0-9]+\]/heapcheck[PID]/g' \
    -e 's/([Pp][Ii][Dd][ =])[0-9]+/\1PID/g' \
    -e 's#(^|[[:space:](])([^[:space:]():]*/)?(lib/[A-Za-z0-9_.-]+\.[ch]):[0-9]+#\1\3:N#g' \
    -e 's#\(/[^()]*/([^/()]+\+0x)#(\1#g' \
    -e 's#\((lt-)?([A-Za-z0-9_]+)-linked\+0x#(\2+0x#g' \
    -e 's#(^|[[:space:]])[^[:space:]]*/(tests/[a-z]+/[A-Za-z0-9_.-]+:[0-9]+)#\1\2#g' |
awk '
/^==PID==     #[0-9]+ .*\(libheapcheck\.so[^()]*\+0x\.\.\.\)$/ {
    if (!own) print "==PID==     #N 0x... in heapcheck'"'"'s own frames"
    own = 1; renumber = 1; next
}
/^==PID==     #[0-9]+ / { own = 0; if (renumber) sub(/#[0-9]+ /, "#N "); print; next }
{ own = 0; renumber = 0; print }'
