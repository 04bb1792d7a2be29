from infra.gc_tuning import tune_for_synthesis

tune_for_synthesis()

import infra.program  # noqa: E402 (after the collector settings: imports allocate a lot)

infra.program.main()
