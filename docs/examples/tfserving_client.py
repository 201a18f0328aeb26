# The document's step 3 as it is written, against maas started as its step 1 writes it:
#   bin/tensorflow_model_server --port=9000 --model_name=my_model --model_base_path=$PWD/docs/examples/my_model
import numpy as np
import requests

response = requests.post('http://localhost:9000/my_model/predict', headers={'Content-Type': 'application/json'}, json={'images': [[1, 299, 299, 3, 0.5]]})
scores = response.json()['scores']
print(np.argmax(np.array(scores)))
