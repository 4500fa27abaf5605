"""What Whisper keeps about guests, and for how long: their details are erased after the event."""
