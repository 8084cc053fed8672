"""Check a flame graph SVG written by heapcheck against the dump it was drawn from.

usage: svg_check.py SVG TOTAL_BYTES

The SVG must parse as XML; the root box ("all", depth 0) must hold TOTAL_BYTES; the
boxes one level up must add up to it, in bytes and in width (within rounding); every
box must be no wider than its bytes say and carry a tooltip naming its bytes.
Prints one line per finding and exits 1 on any."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main():
    path, total = sys.argv[1], int(sys.argv[2])
    root = ET.parse(path).getroot()
    bad = []
    if int(root.get("data-total-bytes")) != total:
        bad.append("data-total-bytes %s, dump says %d" % (root.get("data-total-bytes"), total))
    boxes = []
    for g in root.iter(NS + "g"):
        if g.get("class") != "f":
            continue
        rect = g.find(NS + "rect")
        title = g.find(NS + "title")
        boxes.append((int(g.get("data-depth")), int(g.get("data-bytes")),
                      float(rect.get("width")), title.text if title is not None else ""))
    roots = [b for b in boxes if b[0] == 0]
    if len(roots) != 1:
        bad.append("%d root boxes" % len(roots))
    else:
        depth0 = roots[0]
        level1 = [b for b in boxes if b[0] == 1]
        if sum(b[1] for b in level1) != total or depth0[1] != total:
            bad.append("level 1 holds %d bytes, the root %d, the dump %d"
                       % (sum(b[1] for b in level1), depth0[1], total))
        width = sum(b[2] for b in level1)
        if abs(width - depth0[2]) > 0.5:
            bad.append("level 1 is %.2f px wide, the root %.2f px" % (width, depth0[2]))
        scale = depth0[2] / total
        for b in boxes:
            if abs(b[2] - b[1] * scale) > 0.02:
                bad.append("a box of %d bytes is %.2f px wide" % (b[1], b[2]))
            if "%d bytes" % b[1] not in (b[3] or ""):
                bad.append("a box of %d bytes has the tooltip %r" % (b[1], b[3]))
    for line in bad:
        print("svg_check: " + line)
    print("svg_check: %d boxes, %d bytes" % (len(boxes), total))
    return 1 if bad else 0


sys.exit(main())
