"""What a client can ask a worker to do: the unary Call, and the operations a Run carries
(module, batch, optimize, command, pipeline), one module each."""
