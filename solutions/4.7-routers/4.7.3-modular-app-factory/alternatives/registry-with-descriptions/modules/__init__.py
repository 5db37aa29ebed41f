"""The shop's feature modules. Each package exposes `router`, an optional `init(app)`, and
whatever other modules may use; everything else inside it is private."""
