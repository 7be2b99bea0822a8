"""An actor pool on Ray core: actors of one class, started only as many as there is work for, each given
at most ``in_flight`` calls at a time once it is up (the next call waits in the actor's queue while the
current one runs), the next call going to whichever actor frees first; killed when the stage is done.

Ray restarts an actor whose process dies and retries the calls it had (``max_restarts=-1``,
``max_task_retries=-1``), so a lost worker loses no work. Actors are spread over the nodes (``SPREAD``).

Why not ``ray.data``: every ``Dataset`` starts a streaming executor in the driver (a stats actor, an
autoscaling coordinator, a scheduling thread polling its operators, pandas/arrow blocks built and read
on the driver): about 1 s of driver CPU per dataset and a steady share of its time while the dataset
runs, which on the two-node test cluster made the driver a quarter to a third of all CPU. Here the
driver only submits calls and blocks in ``ray.wait``.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator


def remote_options(num_cpus: float, num_gpus: float = 0.0, **extra: Any) -> dict[str, Any]:
    """Ray options shared by actors and tasks: resources (no GPU key when none is asked for), spread."""
    options: dict[str, Any] = {"num_cpus": num_cpus, "scheduling_strategy": "SPREAD", **extra}
    if num_gpus:
        options["num_gpus"] = num_gpus
    return options


class ActorPool:
    """Actors of ``cls`` built with ``kwargs``; see the module docstring."""

    def __init__(self, cls: type, kwargs: dict[str, Any], *, size: int, num_cpus: float, num_gpus: float = 0.0,
                 in_flight: int = 2):
        import ray

        self.remote_cls = ray.remote(cls).options(**remote_options(num_cpus, num_gpus, max_restarts=-1,
                                                                   max_task_retries=-1))
        self.kwargs = kwargs
        self.size = max(1, size)
        self.in_flight = max(1, in_flight)
        self.actors: list[Any] = []

    def map(self, method: str, calls: Iterable[tuple]) -> Iterator[tuple[int, Any]]:
        """Call ``method(*args)`` for each ``args`` of ``calls`` on the pool; yields ``(index, result ref)``
        as each call finishes (in any order). Calls go only to actors that are up: an actor still waiting
        for resources (a busy or too small cluster) holds no work back; one that cannot be built (its
        constructor raised) raises here."""
        import ray

        calls = list(calls)
        while len(self.actors) < min(self.size, len(calls)):  # no actor without work
            self.actors.append(self.remote_cls.remote(**self.kwargs))
        starting = {actor.__ray_ready__.remote(): a for a, actor in enumerate(self.actors)}
        todo = iter(enumerate(calls))
        load: dict[int, int] = {}  # calls in flight per actor that is up
        pending: dict[Any, tuple[int, int]] = {}  # result ref -> (call index, actor index)

        def submit() -> None:  # one call at a time to the least busy actor, while one has room
            while load:
                a = min(load, key=load.__getitem__)
                if load[a] >= self.in_flight or (nxt := next(todo, None)) is None:
                    return
                index, args = nxt
                pending[getattr(self.actors[a], method).remote(*args)] = (index, a)
                load[a] += 1

        left = len(calls)
        while left:
            done, _ = ray.wait([*pending, *starting], num_returns=1)
            for ref in done:
                if ref in starting:
                    ray.get(ref)  # raises when the actor could not be built
                    load[starting.pop(ref)] = 0
                else:
                    index, a = pending.pop(ref)
                    load[a] -= 1
                    left -= 1
                    yield index, ref
                submit()

    def close(self) -> None:
        """Kill the actors (their resources go back to the cluster at once)."""
        import ray

        for actor in self.actors:
            ray.kill(actor)
        self.actors = []
