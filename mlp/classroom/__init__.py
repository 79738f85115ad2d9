"""The classroom's server side: the store (the only code that talks to a database), the class wall,
its posting thread, signed lesson links, and serving several workers behind nginx."""
