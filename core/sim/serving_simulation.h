#pragma once
// ServingSimulation: the continuous-batching scheduler of serving_simulator.h, one step at a time,
// so that a view can show the KV pool after every step (snapshot()). simulateServing() is this
// class run to the end; the same inputs give the same steps either way.
#include <memory>
#include <vector>

#include "core/sim/pool_snapshot.h"
#include "core/sim/sim_types.h"
#include "core/sim/workload.h"

namespace kvscope::sim {

class ServingSimulation {
public:
    /// Throws InputError as simulateServing does (checkSimConfig, checkRequests).
    ServingSimulation(std::vector<Request> requests, const SimConfig& config);
    ~ServingSimulation();
    ServingSimulation(const ServingSimulation&) = delete;
    ServingSimulation& operator=(const ServingSimulation&) = delete;

    /// Every request has finished.
    bool done() const;
    /// Requests finished so far.
    std::int64_t completed() const;
    /// Runs one simulated step (when nothing runs or waits, the clock first jumps to the next
    /// arrival). Pre: !done().
    void advance();
    /// Steps run so far (the idle jumps not counted): timeline().size().
    std::int64_t stepsRun() const;
    /// One sample per step run so far.
    const std::vector<StepSample>& timeline() const;
    /// The pool after the last step run.
    PoolSnapshot snapshot() const;
    /// The summary of the steps run (final when done()). Leaves the simulation as it is.
    SimResult result() const;

    const SimConfig& config() const;
    const std::vector<Request>& requests() const;

private:
    class Scheduler;
    std::unique_ptr<Scheduler> m_scheduler;
};

}  // namespace kvscope::sim
