"""Checking and receiving files, whatever they are for: type detection, the malware scan, the
upload checks and the upload limits. Used by documents, the office logo and the interfaces;
imports nothing else of the portal (the lowest layer, with audit)."""
