"""Conversion of a local Marian model to a CTranslate2 model (``pip install .[fast]``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .errors import PipelineError, describe_exception


def convert_to_ctranslate2(model_path: str, out: Path, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert ``model_path`` (a saved Marian model) into ``out``; atomic, so a failed run leaves nothing."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise PipelineError("converting needs the ctranslate2 package", hint="pip install -e '.[fast]'") from None
    out = Path(out)
    if out.exists() and not force:
        if (out / "model.bin").exists():
            return out
        raise PipelineError(f"{out}: exists and is not a CTranslate2 model", hint="choose another --out or use --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        TransformersConverter(model_path).convert(str(tmp), quantization=quantization, force=True)
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except PipelineError:
        raise
    except Exception as exc:  # the converter raises many kinds; the user needs one line
        raise PipelineError(f"cannot convert {model_path}: {describe_exception(exc)}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
