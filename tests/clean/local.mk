## Clean programs and real programs preloaded.
