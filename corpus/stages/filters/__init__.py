"""Training-data filters: sentences, pairs and documents judged and dropped with a reason.

``checks`` measures (pure functions of text), ``base`` owns the drop-and-count loop,
``step`` holds the pipeline steps that decide with thresholds from the pipeline file.
"""
