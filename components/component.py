"""The base of every managed-cache component: one Args dataclass in, its children built under it,
its outputs registered once they exist.

    class ConnectionSecret(Component[ConnectionSecretArgs],
                           type_token="managed-cache:aws:ConnectionSecret"):
        def build(self, name: str, args: ConnectionSecretArgs) -> Outputs:
            ...                                  # children with parent=self
            return {"arn": self.arn}             # what `pulumi stack` shows for the component

A component is still called as `ConnectionSecret(name, args, opts)`. `register_outputs` runs
after `build` returns, so no component can leave it out (the CLI would show it as still being
created until the whole update ends).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import pulumi

ArgsT = TypeVar("ArgsT")
Outputs = Mapping[str, Any]


class Component(pulumi.ComponentResource, Generic[ArgsT]):
    # The Pulumi type token. It is part of the URN of the component and of every child under it,
    # so changing it replaces them all: it is written out on the class line, never derived from
    # a class or module name that a refactoring could change.
    type_token: ClassVar[str]

    def __init_subclass__(cls, type_token: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.type_token = type_token

    def __init__(self, name: str, args: ArgsT, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.type_token, name, None, opts)
        self.register_outputs(self.build(name, args))

    def build(self, name: str, args: ArgsT) -> Outputs:
        """Create the children (each with parent=self) and return the outputs to register."""
        raise NotImplementedError
