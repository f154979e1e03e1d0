"""Static assets with fingerprinted URLs (`/static/css/app.css?v=<hash>`), cached by browsers
for a year, and compressed responses (brotli or gzip) for everything textual."""

import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
from flask import current_app, request, url_for
from flask_compress import Compress

YEAR = 365 * 24 * 3600
compress = Compress()


def asset_url(filename: str) -> str:
    """The URL of a static file with a hash of its content, so a new file is a new URL."""
    versions = current_app.extensions.setdefault("asset_versions", {})
    if filename not in versions:
        path = Path(current_app.static_folder) / filename
        versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return url_for("static", filename=filename, v=versions[filename])


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Static files count as streamed; brotli makes them smaller than the default zstd.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript", "text/csv",
        "application/json", "application/manifest+json", "image/svg+xml", "text/calendar",
    ])
    # Registered by hand: Flask-Compress looks at every response (Vary, Accept-Encoding,
    # ETag) even where nothing is to be compressed.
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)
    compressible = frozenset(app.config["COMPRESS_MIMETYPES"])
    smallest = app.config["COMPRESS_MIN_SIZE"]

    @app.after_request
    def compress_textual(response):
        """Only a successful textual body worth compressing goes to Flask-Compress: a
        redirect, a 304 or a few bytes would cost more to look at than to send."""
        length = response.content_length
        if 200 <= response.status_code < 300 and response.mimetype in compressible \
                and (length is None or length >= smallest):
            return compress.after_request(response)
        return response

    app.add_template_global(asset_url)

    # Registered after Compress, so it runs before it (after_request runs in reverse order).
    @app.after_request
    def prepare_static_files(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        if request.args.get("v"):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        # A file response is passed straight through; read it so that it can be compressed.
        response.direct_passthrough = False
        if response.mimetype in app.config["COMPRESS_MIMETYPES"] \
                and "br" in request.accept_encodings:
            # Static files change only with a release: compressed once, as small as brotli
            # can (Flask-Compress's quick level is for pages made per request).
            path = Path(app.static_folder) / request.view_args["filename"]
            response.set_data(smallest_brotli(str(path), path.stat().st_mtime))
            response.headers["Content-Encoding"] = "br"
            response.vary.add("Accept-Encoding")
        return response


@lru_cache(maxsize=128)
def smallest_brotli(path: str, modified: float) -> bytes:
    return brotli.compress(Path(path).read_bytes(), quality=11)
