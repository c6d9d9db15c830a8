/// How the Adam learning rate changes over a training run (`training.schedule`): constant, cosine
/// annealing to 0 over the epochs (Loshchilov & Hutter, SGDR, ICLR 2017), or a step decay by
/// `lr_decay_factor` every `lr_decay_every` epochs.
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable { case constant, cosine, step }
