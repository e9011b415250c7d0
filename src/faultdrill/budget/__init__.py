"""Error budgets: the ledger of who spent them, burn rates, experiment costs.

BudgetLedger.default()               the SQLite ledger under FAULTDRILL_HOME
budget_status(slo, ledger, now)      budget left and burn rates per window
experiment_cost(...)                 one SLO's cost of a fault window
record_run_costs(ledger, run_id, title, slos, journal phases)
"""

from faultdrill.budget.burn import ALERT_WINDOWS, AlertWindow, burn_rate, consumed
from faultdrill.budget.cost import (
    ExperimentCost,
    experiment_cost,
    record_experiment_cost,
    record_run_costs,
)
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.budget.status import BudgetStatus, budget_status

__all__ = [
    "ALERT_WINDOWS",
    "AlertWindow",
    "BudgetLedger",
    "BudgetStatus",
    "ExperimentCost",
    "Spend",
    "SpendKind",
    "budget_status",
    "burn_rate",
    "consumed",
    "experiment_cost",
    "record_experiment_cost",
    "record_run_costs",
]
