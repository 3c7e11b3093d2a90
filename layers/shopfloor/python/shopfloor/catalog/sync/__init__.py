"""The offers sync: `offers-dispatch` queues every product, `offers-worker` reconciles their offers."""
