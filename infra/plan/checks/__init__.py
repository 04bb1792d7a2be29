"""How each rule of infra/plan/rules.py is evaluated, by concern (model.py holds what they all
read and return). Standard library only: the CrossGuard policy pack imports these modules
through infra/plan/rules.py in a virtualenv that holds nothing of this program."""
