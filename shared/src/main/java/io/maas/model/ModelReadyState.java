package io.maas.model;

/** The life cycle of one model version on one worker (Triton's vocabulary). */
public enum ModelReadyState {
  LOADING,
  READY,
  UNAVAILABLE,
  UNLOADING
}
