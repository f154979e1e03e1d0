"""The reference the benches compare against: a bare Flask hello-world, served by the same
gunicorn settings as the app (`serve.gunicorn(..., app="bench.hello_app:app")`)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
