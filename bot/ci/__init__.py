"""The GitLab CI job behind `perfbot ci` (bot/commands/ci.py): whole runs, shards and their gather job, scheduled runs.

variables.py   what the job was asked to do, read from the PERFBOT_* and CI_* variables; the model's API key,
               required before any work; a merge request's code, checked out when the default branch's CI
               config runs the job (`PERFBOT_CHECKOUT`)
run.py         one optimization run in the job, with the run files a publisher or a gather job reads
shard.py       which agents a shard (`--shard i/N`) runs
gather.py      the final job of a sharded run: the shards' finalists measured together, then selection
scheduled.py   a scheduled pipeline: profile, then optimize the hottest functions
"""
