"""Layering: components/ is below infra/. Infra composes components (and may import them);
a component never imports `infra`, at module level or inside a function, so that it can be
reused and tested on its own. What both need (AlarmPolicy, alarm names, provider facts) lives
in components/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "components"
FORBIDDEN = "infra"


def _is_forbidden(module: str) -> bool:
    return module == FORBIDDEN or module.startswith(FORBIDDEN + ".")


def _package_of(path: Path) -> list[str]:
    """The dotted package a module under ROOT belongs to, as parts."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def infra_imports(source: str, path: Path) -> list[str]:
    """`line: statement` for every import of `infra` in `source`: `import infra...`,
    `from infra... import`, relative imports that resolve into infra, and
    importlib.import_module / __import__ calls with a literal infra module name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                modules = [node.module or ""]
            else:
                package = _package_of(path)
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                modules = [".".join([*base, *(node.module or "").split(".")]).strip(".")]
                if not base:  # `from .. import infra` above the top-level package
                    modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.Call) and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                     or (isinstance(node.func, ast.Name) and node.func.id == "__import__")):
            modules = [node.args[0].value]
        found += [(node.lineno, ast.unparse(node)) for m in modules if _is_forbidden(m)]
    return [f"{line}: {statement}" for line, statement in sorted(found)]


def component_modules() -> list[Path]:
    return sorted(COMPONENTS.rglob("*.py"))


@pytest.mark.parametrize("path", component_modules(),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_component_imports_infra(path):
    assert infra_imports(path.read_text(), path) == []


def test_the_check_finds_every_form_of_import():
    path = COMPONENTS / "aws" / "example.py"
    source = "\n".join([
        "import infra",
        "import infra.naming as n",
        "from infra.config.alarms import AlarmPolicy",
        "def f():",
        "    from infra import naming",
        "    import importlib",
        "    return importlib.import_module('infra.naming'), __import__('infra')",
        "from ...infra import naming",
        # Not infra: a name that merely starts with it, and components' own modules.
        "import infrastructure",
        "from components import naming",
        "from . import alarms",
    ])
    assert [line.split(":")[0] for line in infra_imports(source, path)] == [
        "1", "2", "3", "5", "7", "7", "8"]


def test_every_component_package_is_checked():
    checked = {p.relative_to(ROOT).parts[1] for p in component_modules() if p.parent != COMPONENTS}
    assert {"aws", "gcp"} <= checked


# ---------------------------------------------------------------------------------------------
# Module size: a module over 600 lines is doing more than one job (issue 15's limit).
# ---------------------------------------------------------------------------------------------
MAX_MODULE_LINES = 600


def _project_python_files() -> list[Path]:
    """The project's own modules: top-level ones and those under its source folders (not a
    virtualenv or build output, wherever CI puts them)."""
    folders = ("infra", "components", "ops", "policy", "examples", "security", "bench", "tests")
    return sorted([*ROOT.glob("*.py"), *(p for f in folders for p in (ROOT / f).rglob("*.py"))])


def test_no_module_is_over_600_lines():
    too_long = {str(p.relative_to(ROOT)): n for p in _project_python_files()
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert too_long == {}
