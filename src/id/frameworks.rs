//! Kaggle model frameworks: the `ModelFramework` enum names the API takes, and the spellings
//! handles use for them.

/// `ModelFramework` of kagglesdk 0.1.38 (`kagglesdk/models/types/model_enums.py`, lines 21–44).
pub(crate) const FRAMEWORKS: &[&str] = &[
    "MODEL_FRAMEWORK_TENSOR_FLOW_1",
    "MODEL_FRAMEWORK_TENSOR_FLOW_2",
    "MODEL_FRAMEWORK_TF_LITE",
    "MODEL_FRAMEWORK_TF_JS",
    "MODEL_FRAMEWORK_PY_TORCH",
    "MODEL_FRAMEWORK_JAX",
    "MODEL_FRAMEWORK_FLAX",
    "MODEL_FRAMEWORK_PAX",
    "MODEL_FRAMEWORK_MAX_TEXT",
    "MODEL_FRAMEWORK_GEMMA_CPP",
    "MODEL_FRAMEWORK_GGML",
    "MODEL_FRAMEWORK_GGUF",
    "MODEL_FRAMEWORK_CORAL",
    "MODEL_FRAMEWORK_SCIKIT_LEARN",
    "MODEL_FRAMEWORK_MXNET",
    "MODEL_FRAMEWORK_ONNX",
    "MODEL_FRAMEWORK_KERAS",
    "MODEL_FRAMEWORK_TRANSFORMERS",
    "MODEL_FRAMEWORK_API",
    "MODEL_FRAMEWORK_OTHER",
    "MODEL_FRAMEWORK_TENSOR_RT_LLM",
    "MODEL_FRAMEWORK_TRITON",
    "MODEL_FRAMEWORK_VLLM",
];

/// The enum name the API takes for the framework of a handle, as kagglehub derives it
/// (`kagglehub/enum.py` `to_enum`, lines 11–29): the name itself, else with the
/// `MODEL_FRAMEWORK_` prefix, compared without underscores and case (`pyTorch`, `PyTorch`,
/// `pytorch` and `py_torch` are all `MODEL_FRAMEWORK_PY_TORCH`).
pub fn framework_enum(framework: &str) -> Option<&'static str> {
    let norm: String = framework
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    FRAMEWORKS.iter().copied().find(|name| {
        let flat: String = name.chars().filter(|c| *c != '_').collect();
        flat == norm || flat == format!("MODELFRAMEWORK{norm}")
    })
}

/// The handle's spelling of a framework enum name: `MODEL_FRAMEWORK_PY_TORCH` is `pyTorch`,
/// `MODEL_FRAMEWORK_TENSOR_FLOW_2` is `tensorFlow2` (kagglehub reads either back, case and
/// underscores aside).
pub fn framework_handle(enum_name: &str) -> Option<String> {
    let rest = enum_name.strip_prefix("MODEL_FRAMEWORK_")?;
    if rest.is_empty() || rest == "UNSPECIFIED" || framework_enum(rest).is_none() {
        return None;
    }
    let mut out = String::new();
    for (i, word) in rest.split('_').enumerate() {
        let lower = word.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut c = lower.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(c);
            }
        }
    }
    Some(out)
}
