"""The sweep (scripts/sweep.py): a matrix of shmcount runs measured in interleaved rounds.

settings (what the user asked, checked) -> binary (what shmcount says: axes, plans, its MPI) and
launcher (how a run starts) -> matrix (the points, their duplicates, the rounds' orders) ->
resultset (the folder, its lock, manifest and statuses) -> runner (the runs, signals, progress,
efficiency). Standard library only: it runs with /usr/bin/python3 and nothing else.
"""
