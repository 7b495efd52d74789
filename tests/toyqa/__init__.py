"""ToyQA: a fourth platform written only for the tests, to prove that adding a platform takes
a provider module, a fake and its declaration, and nothing else (tests/test_fourth_platform.py)."""
