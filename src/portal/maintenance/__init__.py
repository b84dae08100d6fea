"""Operations commands that span several apps (``manage.py prune``). No models."""
