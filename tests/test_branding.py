"""Consultant logos: checked by content, size-limited, re-encoded."""

import gc
import io
import re

import pytest
from PIL import Image

from readiness.branding import LogoError, clean_logo


def image_bytes(fmt="PNG", size=(120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_png_and_jpeg_are_re_encoded_as_png(fmt):
    cleaned = clean_logo(image_bytes(fmt))
    assert cleaned.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(cleaned)).size == (120, 60)


def test_large_logos_are_scaled_down():
    assert Image.open(io.BytesIO(clean_logo(image_bytes(size=(2400, 600))))).size == (600, 150)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ceci est un fichier texte renomme en .png", "n’est pas une image PNG ou JPEG"),
        (image_bytes("GIF"), "PNG ou JPEG"),
        (b"\x89PNG" + b"0" * (5 * 1024 * 1024), "1 Mo"),
    ],
)
def test_bad_logos_are_refused(data, message):
    with pytest.raises(LogoError, match=message):
        clean_logo(data)


def upload(client, consultants, filename, data):
    html = client.get("/conseil/profil").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(
        "/conseil/profil",
        data={
            "name": "Claire Durand",
            "firm": "Cabinet Durand",
            "csrf_token": token,
            "logo": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def test_profile_upload_refuses_a_text_file_renamed_png(consultants, client):
    consultants.create()
    consultants.login()
    response = upload(client, consultants, "logo.png", b"pas une image du tout")
    assert response.status_code == 422
    assert "n’est pas une image PNG ou JPEG valide" in response.get_data(as_text=True)


# Werkzeug's test client spools bodies over 500 KB to a temporary file it never closes.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_profile_upload_refuses_an_image_over_1_mb(consultants, client):
    consultants.create()
    consultants.login()
    response = upload(client, consultants, "logo.png", b"\x89PNG" + b"0" * (1536 * 1024))
    assert response.status_code == 422
    assert "1 Mo" in response.get_data(as_text=True)
    del response
    gc.collect()  # let the leaked spool file be reported inside this test


def test_profile_saves_branding_and_logo(consultants, client, app):
    consultants.create()
    consultants.login()
    response = upload(client, consultants, "logo.jpg", image_bytes("JPEG"))
    assert response.status_code == 302
    page = client.get("/conseil/profil").get_data(as_text=True)
    assert 'value="Cabinet Durand"' in page and 'src="data:image/png;base64,' in page
