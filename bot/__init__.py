"""The tutor bot application: settings, storage, the Tutor service and its frontends."""
