"""The application icon in every size the platforms want, rendered from one SVG.

`resources/icons/quantdesk.svg` is the source; `python packaging/installers/icons.py`
regenerates, next to it, `png/quantdesk-{size}.png` (the freedesktop hicolor sizes),
`quantdesk.ico` (Windows) and `quantdesk.icns` (macOS). The ICO and ICNS containers are
written here, with PNG payloads, so no image tool is needed. The output is deterministic:
a re-run with the same Qt gives the same bytes.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
"""The PNG sizes written: the freedesktop hicolor theme's."""

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
"""The sizes in the Windows .ico."""

ICNS_TYPES = (
    ("icp4", 16),
    ("icp5", 32),
    ("icp6", 64),
    ("ic07", 128),
    ("ic08", 256),
    ("ic09", 512),
    ("ic10", 1024),
)
"""The macOS .icns entries: each chunk type with its PNG payload's size."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ICO_HEADER = struct.Struct("<HHH")  # reserved 0, type 1 (icon), image count
ICO_ENTRY = struct.Struct("<BBBBHHII")  # w, h, colours, reserved, planes, bpp, size, offset
ICNS_HEADER = struct.Struct(">4sI")  # type (or the magic b"icns"), length including this header
DOTS_PER_METRE = 3780
"""96 dpi, written into each PNG: a QImage's default follows the screen's, so would vary."""


def render_png(svg: Path, size: int) -> bytes:
    """Render `svg` as a `size` x `size` PNG, antialiased on a transparent background."""
    if size < 1:
        raise ValueError(f"an icon is at least 1 px wide, not {size}")
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.setDotsPerMeterX(DOTS_PER_METRE)
    image.setDotsPerMeterY(DOTS_PER_METRE)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"{svg}: Qt could not encode the {size} px PNG")
    buffer.close()
    return bytes(data.data())


def build_ico(images: list[tuple[int, bytes]]) -> bytes:
    """An .ico holding each (size, PNG bytes) of `images`, in order."""
    offset = ICO_HEADER.size + ICO_ENTRY.size * len(images)
    entries = []
    for size, png in images:
        if not 1 <= size <= 256:
            raise ValueError(f"an .ico image is 1 to 256 px wide, not {size}")
        side = 0 if size == 256 else size  # a byte: 0 means 256
        entries.append(ICO_ENTRY.pack(side, side, 0, 0, 1, 32, len(png), offset))
        offset += len(png)
    header = ICO_HEADER.pack(0, 1, len(images))
    return header + b"".join(entries) + b"".join(png for _, png in images)


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    """The (size, payload) of each image in an .ico; ValueError if it is malformed."""
    if len(data) < ICO_HEADER.size:
        raise ValueError(f"not an .ico: {len(data)} bytes, shorter than its header")
    reserved, kind, count = ICO_HEADER.unpack_from(data)
    if reserved != 0 or kind != 1:
        raise ValueError(f"not an .ico: header reserved={reserved} type={kind}")
    if count == 0:
        raise ValueError("malformed .ico: no images")
    if len(data) < ICO_HEADER.size + ICO_ENTRY.size * count:
        raise ValueError(f"truncated .ico: {count} directory entries do not fit")
    directory_end = ICO_HEADER.size + ICO_ENTRY.size * count
    images = []
    for index in range(count):
        width, height, _, _, _, _, length, offset = ICO_ENTRY.unpack_from(
            data, ICO_HEADER.size + ICO_ENTRY.size * index
        )
        if width != height:
            raise ValueError(f"malformed .ico: image {index} is {width}x{height}")
        if length == 0 or offset < directory_end:
            raise ValueError(f"malformed .ico: image {index} at byte {offset}, {length} bytes")
        if offset + length > len(data):
            raise ValueError(f"truncated .ico: image {index} ends past the file's end")
        images.append((width or 256, data[offset : offset + length]))
    return images


def build_icns(chunks: list[tuple[str, bytes]]) -> bytes:
    """An .icns holding each (type, PNG bytes) of `chunks`, in order."""
    body = b"".join(
        ICNS_HEADER.pack(kind.encode("ascii"), ICNS_HEADER.size + len(png)) + png
        for kind, png in chunks
    )
    return ICNS_HEADER.pack(b"icns", ICNS_HEADER.size + len(body)) + body


def read_icns(data: bytes) -> list[tuple[str, bytes]]:
    """The (type, payload) of each chunk in an .icns; ValueError if it is malformed."""
    if len(data) < ICNS_HEADER.size:
        raise ValueError(f"not an .icns: {len(data)} bytes, shorter than its header")
    magic, total = ICNS_HEADER.unpack_from(data)
    if magic != b"icns":
        raise ValueError(f"not an .icns: magic {magic!r}")
    if total != len(data):
        raise ValueError(f"malformed .icns: header says {total} bytes, the data has {len(data)}")
    chunks = []
    position = ICNS_HEADER.size
    while position < total:
        if position + ICNS_HEADER.size > total:
            raise ValueError(f"truncated .icns: chunk header at byte {position} is cut off")
        kind, length = ICNS_HEADER.unpack_from(data, position)
        if length < ICNS_HEADER.size or position + length > total:
            raise ValueError(
                f"malformed .icns: chunk {kind!r} at byte {position} has length {length}"
            )
        try:
            name = kind.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"malformed .icns: chunk type {kind!r} is not ASCII") from None
        chunks.append((name, data[position + ICNS_HEADER.size : position + length]))
        position += length
    if not chunks:
        raise ValueError("malformed .icns: no chunks")
    return chunks


def generate(svg: Path, out_dir: Path) -> list[Path]:
    """Write the PNGs, the .ico and the .icns rendered from `svg` into `out_dir`."""
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in sizes}
    written = []
    (out_dir / "png").mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        path = out_dir / "png" / f"quantdesk-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)
    ico = out_dir / "quantdesk.ico"
    ico.write_bytes(build_ico([(size, pngs[size]) for size in ICO_SIZES]))
    icns = out_dir / "quantdesk.icns"
    icns.write_bytes(build_icns([(kind, pngs[size]) for kind, size in ICNS_TYPES]))
    return [*written, ico, icns]


def ensure_gui_application() -> QGuiApplication:
    """The running Qt application, or a new QGuiApplication (offscreen unless the
    environment names a platform)."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    return app


def main() -> int:
    """Regenerate `resources/icons/` from `resources/icons/quantdesk.svg`."""
    repo = Path(__file__).resolve().parents[2]
    icons = repo / "resources" / "icons"
    _app = ensure_gui_application()
    for path in generate(icons / "quantdesk.svg", icons):
        print(path.relative_to(repo).as_posix())
    return 0


if __name__ == "__main__":
    sys.exit(main())
