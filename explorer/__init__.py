"""The interactive explorer: Mesa's SolaraViz page over :class:`sim.ShangcaiModel` (``make explore``).

The model never imports this package; it reads the model and its recorder only.
"""
