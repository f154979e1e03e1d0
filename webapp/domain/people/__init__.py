"""Who people are and what they may do: accounts, permissions, sign-in throttling, API clients."""
