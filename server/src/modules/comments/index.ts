// The comments module has nothing other modules use; its routes are registered by the composition root.
export {}
