"""The reviewer's web app: app (layout and wiring), workspace (the handlers), render (HTML and tables), serve."""
