"""Claude as grader and interviewer, through the anthropic SDK; offline fallbacks."""
