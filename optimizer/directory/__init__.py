"""rollout groups and rollout pilot: directory exports (Entra ID, Intune) to groups, and the pilot set cover."""
