package io.maas.gateway.http;

import io.vertx.ext.web.Router;

/** One REST API's routes (KServe V2, TF Serving, ...), mounted on the gateway's router. */
public interface RestRoutes {

  /**
   * Adds this API's routes. An API with its own error shape adds its own failure handler on its own
   * paths; everything else falls through to {@link RestErrors}.
   */
  void mount(Router router);
}
