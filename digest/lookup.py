"""Find template files by name without loading Jinja2, so a build with nothing to do stays light.

The lookup mirrors ``digest.render.environment``'s loader: ``default:NAME`` is the packaged
default, any other name is the first match in the site's own ``templates/`` then the defaults.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from digest.config import Config
from digest.errors import TemplateError


@lru_cache(maxsize=1)
def default_templates() -> Path:
    """Return the packaged default templates (inside the wheel, or beside the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise TemplateError("the default templates are missing from the installation",
                        hint="reinstall digest with 'pip install --force-reinstall digest'")


def template_dirs(config: Config) -> list[Path]:
    """Return the template folders in lookup order (site first, defaults last)."""
    default = default_templates()
    own = config.root / "templates"
    if own.is_dir() and own.resolve() != default:
        return [own.resolve(), default]
    return [default]


def template_file(dirs: list[Path], name: str) -> str | None:
    """Return the file a template name resolves to, or None if there is none."""
    if name.startswith("default:"):
        dirs, name = dirs[-1:], name[len("default:"):]
    parts = name.split("/")
    if any(p in ("", ".", "..") or os.sep in p for p in parts):
        return None     # Jinja refuses such names too
    for folder in dirs:
        path = os.path.join(folder, *parts)
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def template_hash(dirs: list[Path], name: str) -> str:
    """Return a hash of the file a template name resolves to now ("missing" if none)."""
    path = template_file(dirs, name)
    if path is None:
        return "missing"
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return "missing"
    return hashlib.blake2b(path.encode() + b"\0" + data, digest_size=16).hexdigest()
