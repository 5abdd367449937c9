"""Channel adapters: each channel's native payload → a canonical ChannelMessage (domain/channel_orders.py)."""
