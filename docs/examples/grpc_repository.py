"""Triton's model configuration, statistics and repository RPCs against a maas node, with plain grpcio (the same
code works against Triton). The stubs are generated from the repository's .proto files at start (Debian:
apt-get install python3-grpcio python3-grpc-tools)."""
import importlib
import os
import pathlib
import sys
import tempfile

import grpc
from grpc_tools import protoc

PROTO_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared" / "src" / "main" / "proto"
out = tempfile.mkdtemp()
protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", f"--grpc_python_out={out}", "grpc_predict_v2.proto",
             "model_config.proto"])
sys.path.insert(0, out)
pb = importlib.import_module("grpc_predict_v2_pb2")
mc = importlib.import_module("model_config_pb2")
rpc = importlib.import_module("grpc_predict_v2_pb2_grpc")

key = os.environ.get("MAAS_API_KEY") or open("data/initial-api-key").read().strip()
auth = [("authorization", f"Bearer {key}")]
# loading and unloading models is administrative: the admin token (data/admin-token), not an API key
admin = [("authorization", "Bearer " + (os.environ.get("MAAS_ADMIN_TOKEN") or open("data/admin-token").read().strip()))]
with grpc.insecure_channel("localhost:8001") as channel:
    stub = rpc.GRPCInferenceServiceStub(channel)

    # the configuration a model is served with: Triton's ModelConfig message
    config = stub.ModelConfig(pb.ModelConfigRequest(name="simple"), timeout=10, metadata=auth).config
    print(config.name, config.platform, "max_batch_size", config.max_batch_size,
          [(t.name, mc.DataType.Name(t.data_type), list(t.dims)) for t in config.input],
          mc.ModelInstanceGroup.Kind.Name(config.instance_group[0].kind))

    # the model versions ready to serve, cluster-wide
    index = stub.RepositoryIndex(pb.RepositoryIndexRequest(ready=True), timeout=10, metadata=auth)
    print([(m.name, m.version, m.state) for m in index.models])

    # Triton's statistics, summed over the workers holding the model
    request = pb.ModelInferRequest(model_name="simple")
    for name in ("INPUT0", "INPUT1"):
        request.inputs.add(name=name, datatype="INT32", shape=[1, 16]).contents.int_contents.extend(range(16))
    stub.ModelInfer(request, timeout=10, metadata=auth)
    stats = stub.ModelStatistics(pb.ModelStatisticsRequest(name="simple"), timeout=10, metadata=auth).model_stats[0]
    print(stats.name, stats.version, "successes >= 1:", stats.inference_stats.success.count >= 1)

    # unload, then load again, on every worker; an API key may not
    unload = pb.RepositoryModelUnloadRequest(model_name="affine_fp32")
    try:
        stub.RepositoryModelUnload(unload, timeout=10, metadata=auth)
    except grpc.RpcError as e:
        print(e.code(), e.details())
    stub.RepositoryModelUnload(unload, timeout=60, metadata=admin)
    state = lambda: [(m.state, m.reason) for m in stub.RepositoryIndex(pb.RepositoryIndexRequest(), timeout=10,
                                                                        metadata=auth).models if m.name == "affine_fp32"]
    print("unloaded:", state())
    stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name="affine_fp32"), timeout=60, metadata=admin)
    print("loaded:", state())
