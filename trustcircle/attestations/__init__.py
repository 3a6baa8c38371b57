"""Attestations of habilitations in the EU wallet format (SD-JWT VC), verifiable offline and
revocable: the status lists, the federation's trust list and the verifier."""
