"""The application icon files in resources/icons/: complete, well formed, and current with
the SVG they are rendered from."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from installers import icons

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
SVG = ICONS / "quantdesk.svg"
TEAL = (0x26, 0xA6, 0x9A)
RED = (0xEF, 0x53, 0x50)
REGENERATE = "run `python packaging/installers/icons.py` and commit resources/icons/"


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest) -> QGuiApplication:
    """pytest-qt's application; offscreen when there is no display to show it on."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return request.getfixturevalue("qapp")


def decode(png: bytes) -> QImage:
    """`png` decoded as RGBA bytes (R, G, B, A in memory whatever the machine's byte order)."""
    assert png.startswith(icons.PNG_SIGNATURE), "not PNG data"
    image = QImage.fromData(png, "PNG")
    assert not image.isNull(), "Qt cannot decode the PNG"
    return image.convertToFormat(QImage.Format.Format_RGBA8888)


def pixels(image: QImage) -> list[tuple[int, int, int, int]]:
    """Every pixel of an RGBA8888 image as (r, g, b, a)."""
    data = bytes(image.constBits())
    stride, width = image.bytesPerLine(), image.width()
    return [
        struct.unpack_from("4B", data, row * stride + 4 * column)
        for row in range(image.height())
        for column in range(width)
    ]


def holds_colour(colours: set[tuple[int, int, int, int]], rgb: tuple[int, int, int]) -> bool:
    """Whether an opaque pixel within a few levels of `rgb` is among `colours`."""
    return any(
        a == 255 and all(abs(c - want) <= 6 for c, want in zip((r, g, b), rgb, strict=True))
        for r, g, b, a in colours
    )


def test_the_png_folder_holds_exactly_the_hicolor_sizes() -> None:
    names = sorted(path.name for path in (ICONS / "png").iterdir())
    assert names == sorted(f"quantdesk-{size}.png" for size in icons.PNG_SIZES)


@pytest.mark.parametrize("size", icons.PNG_SIZES)
def test_each_png_is_its_size_and_shows_the_icon(app: QGuiApplication, size: int) -> None:
    image = decode((ICONS / "png" / f"quantdesk-{size}.png").read_bytes())
    assert (image.width(), image.height()) == (size, size)
    every = pixels(image)
    alphas = {a for _, _, _, a in every}
    assert 0 in alphas, "no transparent pixel: the rounded corners are missing"
    assert 255 in alphas, "no opaque pixel"
    assert every[0][3] == 0, "the top-left corner is not transparent"
    assert every[(size // 2) * size + size // 2][3] == 255, "the centre is not opaque"
    colours = set(every)
    assert len(colours) >= 5, f"only {len(colours)} colours: not the icon"
    assert holds_colour(colours, TEAL), "no teal candle"
    assert holds_colour(colours, RED), "no red candle"


def test_the_ico_holds_each_size_as_a_png_of_that_size(app: QGuiApplication) -> None:
    data = (ICONS / "quantdesk.ico").read_bytes()
    images = icons.read_ico(data)
    assert [size for size, _ in images] == list(icons.ICO_SIZES)
    for size, png in images:
        image = decode(png)
        assert (image.width(), image.height()) == (size, size)
        assert png == (ICONS / "png" / f"quantdesk-{size}.png").read_bytes()
    # the directory entry of the 256 px image says 0 (a byte cannot hold 256)
    entry = icons.ICO_HEADER.size + icons.ICO_ENTRY.size * icons.ICO_SIZES.index(256)
    assert data[entry : entry + 2] == b"\x00\x00"


def test_the_icns_holds_each_type_as_a_png_of_its_size(app: QGuiApplication) -> None:
    data = (ICONS / "quantdesk.icns").read_bytes()
    assert data[:4] == b"icns"
    assert int.from_bytes(data[4:8], "big") == len(data)
    chunks = icons.read_icns(data)
    assert [kind for kind, _ in chunks] == [kind for kind, _ in icons.ICNS_TYPES]
    for (_, png), (_, size) in zip(chunks, icons.ICNS_TYPES, strict=True):
        image = decode(png)
        assert (image.width(), image.height()) == (size, size)
        if size in icons.PNG_SIZES:
            assert png == (ICONS / "png" / f"quantdesk-{size}.png").read_bytes()


def test_rendering_the_svg_again_gives_the_committed_files(
    app: QGuiApplication, tmp_path: Path
) -> None:
    written = icons.generate(SVG, tmp_path)
    committed = sorted(
        [*(ICONS / "png").iterdir(), ICONS / "quantdesk.ico", ICONS / "quantdesk.icns"]
    )
    assert sorted(path.relative_to(tmp_path) for path in written) == [
        path.relative_to(ICONS) for path in committed
    ]
    for path in written:
        name = path.relative_to(tmp_path)
        fresh, kept = path.read_bytes(), (ICONS / name).read_bytes()
        if fresh == kept:
            continue
        if path.suffix == ".png" and pixels(decode(fresh)) == pixels(decode(kept)):
            pytest.fail(f"{name}: same pixels, other PNG encoding (another libpng or zlib?)")
        pytest.fail(f"{name} is not what quantdesk.svg renders to: {REGENERATE}")


def test_building_then_reading_gives_back_the_images() -> None:
    images = [(16, b"\x89PNG sixteen"), (256, b"\x89PNG two-five-six")]
    assert icons.read_ico(icons.build_ico(images)) == images
    chunks = [("icp4", b"\x89PNG a"), ("ic10", b"\x89PNG bb")]
    assert icons.read_icns(icons.build_icns(chunks)) == chunks


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "shorter than its header"),
        (b"\x00\x00", "shorter than its header"),
        (b"GIF89a garbage", "not an .ico"),
        (b"icns\x00\x00\x00\x08", "not an .ico"),
        (b"\x00\x00\x01\x00\x00\x00", "no images"),
        (b"\x00\x00\x01\x00\x02\x00" + bytes(16), "entries do not fit"),
        (icons.build_ico([(16, b"x" * 40)])[:-1], "ends past the file's end"),
        (icons.build_ico([(16, b"x")]).replace(b"\x10\x10", b"\x10\x20", 1), "is 16x32"),
        (icons.build_ico([(16, b"x")])[:-5] + b"\x00\x00\x00\x00x", "at byte 0, 1 bytes"),
    ],
)
def test_read_ico_refuses_malformed_data(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        icons.read_ico(data)


def test_read_ico_refuses_the_committed_file_cut_short() -> None:
    data = (ICONS / "quantdesk.ico").read_bytes()
    for length in (3, 6, 20, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError, match=r"truncated|shorter"):
            icons.read_ico(data[:length])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "shorter than its header"),
        (b"icns", "shorter than its header"),
        (b"\x00\x00\x01\x00\x01\x00garbage", "magic"),
        (b"icns\x00\x00\x00\x08", "no chunks"),
        (b"icns\x00\x00\x00\x10ic07", "header says 16 bytes, the data has 12"),
        (b"icns\x00\x00\x00\x0cic07", "chunk header at byte 8 is cut off"),
        (b"icns\x00\x00\x00\x10ic07\x00\x00\x00\x04", "has length 4"),
        (b"icns\x00\x00\x00\x10ic07\x00\x00\x00\x20", "has length 32"),
        (b"icns\x00\x00\x00\x10\xff\xfe07\x00\x00\x00\x08", "not ASCII"),
    ],
)
def test_read_icns_refuses_malformed_data(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        icons.read_icns(data)


def test_read_icns_refuses_the_committed_file_cut_short() -> None:
    data = (ICONS / "quantdesk.icns").read_bytes()
    for length in (3, 8, 20, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError, match=r"shorter|header says"):
            icons.read_icns(data[:length])
