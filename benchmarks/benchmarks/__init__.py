"""asv benchmarks of gaborcore; run them from ``benchmarks/`` (see ``asv.conf.json``)."""
