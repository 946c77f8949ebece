"""Selection: from candidates to the one that ships.

search.py      K agents x M steps x R rounds, every proposal measured; `run_search` sets it all up
measurer.py    measuring a search's candidates one at a time, each distinct content once, with the agents quiet
selection.py   the rule: the accepted candidate with the highest score; merging candidates that changed
               different regions of the same file
"""
