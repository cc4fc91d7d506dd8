"""Clinical trials: HAM-A efficacy and withdrawal (``assaykit trial``)."""
