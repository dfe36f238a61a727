"""The conduct bot: answers public servants' questions about social-media conduct."""

__version__ = "0.1.0"
