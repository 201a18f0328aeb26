package io.maas.gateway.http;

import io.vertx.ext.web.Router;

/** One REST API's routes (KServe V2, TF Serving, ...), mounted on the gateway's router. */
public interface RestRoutes {

  /**
   * Adds this API's routes. Their failures fall through to {@link RestErrors}, which answers each in the format
   * of the API that owns the path ({@link io.maas.http.ErrorFormat}).
   */
  void mount(Router router);
}
