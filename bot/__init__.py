"""followup-bot: follows one developing news story across feeds and posts it to Discord."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/followup-bot/followup-bot"
USER_AGENT = f"followup-bot/{__version__} (+{PROJECT_URL})"
