"""The losslens JupyterLab extension: renderers for losslens tensor images and loss plots.

The Python package only carries the prebuilt labextension (JavaScript) to where
JupyterLab looks for it; there is no server-side part.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "losslens-extension"}]
