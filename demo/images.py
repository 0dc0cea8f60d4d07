"""Illustrations for the demo site, drawn with Pillow.

Nothing is downloaded: a fresh machine without internet gets the same pictures, and there are
no photos of real people (the interviewees get abstract avatars). Each picture is made once and
found again by its title, so running load_demo twice does not add images.
"""

import io
from dataclasses import dataclass

from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont
from wagtail.images import get_image_model

from .bilingual import Reference

HERO_SIZE = (1600, 900)
PORTRAIT_SIZE = (800, 800)

# Soft background colours with a darker ink for shapes and text (contrast above 4.5:1).
PALETTES = {
    "teal": ("#d7eeea", "#9fd3c7", "#1f4e47"),
    "sand": ("#f6ead7", "#e8c99b", "#5a3d12"),
    "lilac": ("#e9e4f5", "#c3b6e6", "#3b2a6b"),
    "sky": ("#dcebf7", "#a9cbeb", "#173f63"),
    "rose": ("#f7e1e3", "#e7b1b8", "#6b2330"),
    "sage": ("#e4efdc", "#b7d3a3", "#2f4a1f"),
}


@dataclass(frozen=True)
class Illustration(Reference):
    """A landscape picture: a motif (books, screen, group, chat, numbers) and a short label."""

    title: str
    description: str
    label: str
    motif: str
    palette: str


@dataclass(frozen=True)
class Avatar(Reference):
    """A square abstract avatar with one letter, for an interviewee."""

    title: str
    description: str
    letter: str
    palette: str


def _font(size):
    # Pillow's bundled font: the same on every machine, no system fonts needed.
    return ImageFont.load_default(size=size)


def _draw_books(draw, light, ink):
    shelf_y = 640
    x = 860
    for index, (width, height) in enumerate(
        [(70, 300), (90, 360), (60, 260), (110, 330), (80, 380)]
    ):
        colour = ink if index % 2 else light
        draw.rounded_rectangle([x, shelf_y - height, x + width, shelf_y], radius=12, fill=colour)
        x += width + 18
    draw.rounded_rectangle([820, shelf_y, 1420, shelf_y + 24], radius=10, fill=ink)


def _draw_screen(draw, light, ink):
    draw.rounded_rectangle([840, 230, 1400, 580], radius=28, fill=ink)
    draw.rounded_rectangle([870, 260, 1370, 550], radius=16, fill="white")
    for row, width in enumerate([380, 300, 420, 250]):
        top = 300 + row * 56
        draw.rounded_rectangle([910, top, 910 + width, top + 26], radius=13, fill=light)
    draw.rounded_rectangle([780, 590, 1460, 630], radius=20, fill=ink)


def _draw_group(draw, light, ink):
    for index, centre_x in enumerate([900, 1060, 1220, 1380]):
        colour = ink if index % 2 == 0 else light
        top = 300 if index % 2 == 0 else 340
        draw.ellipse([centre_x - 55, top, centre_x + 55, top + 110], fill=colour)
        draw.rounded_rectangle(
            [centre_x - 85, top + 130, centre_x + 85, top + 380], radius=70, fill=colour
        )


def _draw_chat(draw, light, ink):
    draw.rounded_rectangle([820, 220, 1260, 440], radius=60, fill=ink)
    draw.polygon([(900, 430), (880, 520), (980, 440)], fill=ink)
    draw.rounded_rectangle([1020, 480, 1440, 680], radius=60, fill=light)
    draw.polygon([(1360, 670), (1390, 750), (1300, 680)], fill=light)
    for row in range(3):
        draw.rounded_rectangle(
            [880, 270 + row * 50, 1180 - row * 60, 294 + row * 50], radius=12, fill="white"
        )


def _draw_numbers(draw, light, ink):
    font = _font(150)
    for index, (symbol, x, y) in enumerate([("1", 860, 220), ("+", 1080, 300), ("5", 1260, 220)]):
        circle, text = (light, ink) if index % 2 else (ink, "white")
        draw.ellipse([x - 20, y - 10, x + 170, y + 180], fill=circle)
        draw.text((x + 75, y + 85), symbol, font=font, fill=text, anchor="mm")
    draw.rounded_rectangle([860, 520, 1430, 560], radius=20, fill=ink)


MOTIFS = {
    "books": _draw_books,
    "screen": _draw_screen,
    "group": _draw_group,
    "chat": _draw_chat,
    "numbers": _draw_numbers,
}


def draw_illustration(spec: Illustration) -> Image.Image:
    background, light, ink = PALETTES[spec.palette]
    image = Image.new("RGB", HERO_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([-200, -260, 640, 580], fill=light)
    draw.ellipse([1250, 560, 1900, 1210], fill=light)
    MOTIFS[spec.motif](draw, light, ink)
    font = _font(64)
    left, top, right, bottom = draw.textbbox((120, 700), spec.label, font=font)
    draw.rounded_rectangle([left - 40, top - 30, right + 40, bottom + 30], radius=24, fill=ink)
    draw.text((120, 700), spec.label, font=font, fill="white")
    return image


def draw_avatar(spec: Avatar) -> Image.Image:
    background, light, ink = PALETTES[spec.palette]
    image = Image.new("RGB", PORTRAIT_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([-120, 420, 920, 1320], fill=light)
    draw.ellipse([250, 140, 550, 440], fill=ink)
    draw.text((400, 290), spec.letter, font=_font(170), fill="white", anchor="mm")
    return image


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def get_or_create_image(spec: Illustration | Avatar):
    """The Wagtail image with this title; drawn and saved only when it does not exist yet."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=spec.title).first()
    if existing:
        return existing, False
    picture = draw_avatar(spec) if isinstance(spec, Avatar) else draw_illustration(spec)
    filename = f"{slugify(spec.title)[:60]}.png"
    image = image_model(
        title=spec.title,
        description=spec.description,
        file=ImageFile(_png(picture), name=filename),
    )
    image.save()
    return image, True
