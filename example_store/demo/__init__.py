"""The pieces of ``python -m example_store demo`` beyond the simulation itself.

The store's own web server and mail server on loopback, the channels' campaign,
loyalty and review settings, the campaigns, reviews and loyalty that run as
extensions of the simulation, and the report printed after it.
"""
