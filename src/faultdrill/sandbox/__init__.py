"""The LocalizeVideos sandbox target."""
