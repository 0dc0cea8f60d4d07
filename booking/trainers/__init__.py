"""The pages for trainers and volunteers: their sessions, attendance, notes and calendar."""
